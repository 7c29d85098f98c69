/** Where a command writes: stdout for results, stderr for messages and logs. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}
