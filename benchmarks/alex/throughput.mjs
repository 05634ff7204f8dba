// alex's API over files, timed inside node (start-up excluded), for benchmarks/run.py.
// Usage: node throughput.mjs text|markdown FILE...  -> {"seconds": s, "messages": n, "bytes": b}
// run.py copies this script next to the alex install (benchmarks/.alex) so 'alex' resolves.
import {readFileSync} from 'node:fs';
import {text as alexText, markdown as alexMarkdown} from 'alex';

const [mode, ...files] = process.argv.slice(2);
const check = mode === 'markdown' ? alexMarkdown : alexText;
check('Warm-up: the patient refused.');  // load the rule lists before timing
const start = process.hrtime.bigint();
let messages = 0;
let bytes = 0;
for (const file of files) {
  const content = readFileSync(file, 'utf8');
  bytes += Buffer.byteLength(content);
  messages += check(content).messages.length;
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
process.stdout.write(JSON.stringify({seconds, messages, bytes}));
