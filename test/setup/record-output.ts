// Tees everything a test worker writes to stdout/stderr into the suite output the secret scan reads.
import { recordSuiteOutput } from '../helpers/suiteOutput.js';

for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    recordSuiteOutput(String(chunk));
    return write(chunk, ...rest);
  }) as typeof stream.write;
}
