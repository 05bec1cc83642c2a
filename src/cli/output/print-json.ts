/** Writes a JSON document to stdout: what `--json` prints. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
