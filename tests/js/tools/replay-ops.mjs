// Replays committed op histories with the web client's OT engine (src/Web/wwwroot/js/ot.js).
// stdin: [{ "text": "<initial text>", "ops": [<op in wire form>, …] }, …]
// stdout: the final text of each history, as a JSON array. Exits 1 (with the history and op index) if an op does not apply.
// Used by the C# property test HostileSubmitPropertyTests: whatever the server commits, the browser must be able to apply.
import { apply } from '../../../src/Web/wwwroot/js/ot.js';

// As the web client applies remote ops (collab-client.js): the server has already held them to its limits.
const UNLIMITED = { maxOpInsertLength: Infinity, maxOpComponents: Infinity, maxDocumentLength: Infinity };

let input = '';
for await (const chunk of process.stdin) input += chunk;
const histories = JSON.parse(input);
const finals = histories.map((history, h) =>
  history.ops.reduce((text, op, i) => {
    try {
      return apply(text, op, UNLIMITED);
    } catch (err) {
      process.stderr.write(`history ${h}, op ${i} (${JSON.stringify(op).slice(0, 200)}): ${err.code ?? ''} ${err.message}\n`);
      process.exit(1);
    }
  }, history.text),
);
process.stdout.write(JSON.stringify(finals));
