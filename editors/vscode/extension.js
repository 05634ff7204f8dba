// A minimal client for `tilint lsp`: VS Code starts the server for the text formats
// tilint reads and shows its diagnostics, quick fixes and hovers. Not published;
// see docs/editors.md to run it from this folder.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

exports.activate = async function activate() {
  const settings = vscode.workspace.getConfiguration("tilint");
  const [command, ...args] = settings.get("command", ["tilint", "lsp"]);
  client = new LanguageClient(
    "tilint",
    "tilint",
    { command, args }, // stdio
    {
      documentSelector: ["markdown", "plaintext", "restructuredtext", "html"].map((language) => ({ scheme: "file", language })),
      initializationOptions: { coverage: settings.get("coverage", true), debounceMs: settings.get("debounceMs", 100) },
    },
  );
  await client.start();
};

exports.deactivate = function deactivate() {
  return client ? client.stop() : undefined;
};
