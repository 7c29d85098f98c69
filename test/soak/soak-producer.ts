/**
 * The soak test's producer: drops a stream of order CSVs (windows-1252, `;`) of varied sizes onto
 * each source folder, some with bad rows, some byte-for-byte copies of an earlier file of the same
 * source. Each file is written under a temporary name and renamed into place, as a careful sender
 * would. It remembers what it dropped, so the end checks know the expected outcome of each file.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One file the producer dropped. */
export interface ProducedFile {
  readonly source: string;
  readonly name: string;
  readonly rows: number;
  /** the order ids of the rows the profile accepts */
  readonly goodIds: readonly string[];
  readonly badRows: number;
  /** the earlier file of the same source with the same bytes, for a duplicate */
  readonly duplicateOf: string | undefined;
  /** a copy dropped together with its original (the same moment): either of the two may be the one delivered */
  readonly twin: boolean;
  readonly bytes: number;
}

/** A source the producer feeds. */
export interface ProducerSource {
  readonly name: string;
  /** the folder ferry polls, as a local path (a server's root + its folder for remote sources) */
  readonly dir: string;
  /** the order-id prefix of its files (unique per source, so ids never clash across profiles) */
  readonly prefix: string;
}

const HEADER = 'Order No;Customer;SKU;Qty;Price;Date;Status;Warehouse;Comment';

/** A row count: mostly small files, some medium, a few large ones. */
function rowCount(random: () => number): number {
  const r = random();
  if (r < 0.7) return 1 + Math.floor(random() * 50);
  if (r < 0.95) return 50 + Math.floor(random() * 250);
  return 300 + Math.floor(random() * 1200);
}

/** One bad row of several kinds the mapping rejects (bad SKU, zero quantity, impossible date, no order no). */
function badRow(id: string, i: number, kind: number): string {
  switch (kind % 4) {
    case 0: return `${id};Bad & Co;NOT-A-SKU;1;1,00;01.03.2026;O;WH1;bad sku`;
    case 1: return `${id};Bad & Co;SKU-${String(i).padStart(6, '0')};0;1,00;01.03.2026;O;WH1;zero qty`;
    case 2: return `${id};Bad & Co;SKU-${String(i).padStart(6, '0')};2;1,00;31.02.2026;C;WH1;no such day`;
    default: return `;Bad & Co;SKU-${String(i).padStart(6, '0')};2;1,00;01.03.2026;C;WH1;no order no`;
  }
}

/** Builds one file's content and its expected good ids. */
export function buildOrders(fileTag: string, rows: number, badShare: number, random: () => number): { content: Buffer; goodIds: string[]; badRows: number } {
  const lines = [HEADER];
  const goodIds: string[] = [];
  let badRows = 0;
  for (let i = 1; i <= rows; i++) {
    const id = `${fileTag}-${String(i).padStart(5, '0')}`;
    if (random() < badShare) {
      lines.push(badRow(id, i, Math.floor(random() * 4)));
      badRows++;
      continue;
    }
    const day = String((i % 28) + 1).padStart(2, '0');
    lines.push(`${id};Müller & Söhne GmbH;SKU-${String(i).padStart(6, '0')};${(i % 9) + 1};${(i % 900) + 1}.234,5${i % 10};${day}.03.2026;${i % 2 === 0 ? 'O' : 'C'};WH1;Lieferung €`);
    goodIds.push(id);
  }
  const content = Buffer.from(`${lines.join('\r\n')}\r\n`.replace(/€/g, '\u0080'), 'latin1');
  return { content, goodIds, badRows };
}

/** Drops files onto its sources on a random schedule until stopped. */
export class Producer {
  readonly files: ProducedFile[] = [];
  private readonly contents = new Map<string, Buffer>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private running = false;
  private serial = 0;

  constructor(private readonly sources: readonly ProducerSource[], private readonly random: () => number, private readonly gapMs: { min: number; max: number }) {}

  /** Starts one independent stream per source. */
  start(): void {
    this.running = true;
    for (const s of this.sources) this.schedule(s);
  }

  /** Stops dropping files (a file being written is finished first: writes are synchronous). */
  stop(): void {
    this.running = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private schedule(source: ProducerSource): void {
    if (!this.running) return;
    const gap = this.gapMs.min + Math.floor(this.random() * (this.gapMs.max - this.gapMs.min));
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.running) return;
      this.drop(source);
      this.schedule(source);
    }, gap);
    this.timers.add(timer);
  }

  /** Writes one file (a new one, or now and then a copy of an earlier one) and returns it. */
  drop(source: ProducerSource): ProducedFile {
    const n = ++this.serial;
    const name = `${source.name}-${String(n).padStart(5, '0')}.csv`;
    const earlier = this.files.filter((f) => f.source === source.name && f.duplicateOf === undefined);
    let file: ProducedFile;
    let content: Buffer;
    const original = earlier.length > 0 && this.random() < 0.1 ? earlier[Math.floor(this.random() * earlier.length)] : undefined;
    const originalContent = original === undefined ? undefined : this.contents.get(`${source.name}/${original.name}`);
    if (original !== undefined && originalContent !== undefined) {
      content = originalContent;
      file = { ...original, name, duplicateOf: original.name, twin: false };
    } else {
      const rows = rowCount(this.random);
      const badShare = this.random() < 0.3 ? 0.02 + this.random() * 0.2 : 0;
      const built = buildOrders(`${source.prefix}${String(n).padStart(5, '0')}`, rows, badShare, this.random);
      content = built.content;
      file = { source: source.name, name, rows, goodIds: built.goodIds, badRows: built.badRows, duplicateOf: undefined, twin: false, bytes: content.length };
      this.contents.set(`${source.name}/${name}`, content);
    }
    this.place(source, name, content);
    this.files.push(file);
    if (file.duplicateOf === undefined && this.random() < 0.05) {
      // the same content under a second name at the same moment: one scan sees both
      const twinName = `${source.name}-${String(n).padStart(5, '0')}-twin.csv`;
      this.place(source, twinName, content);
      this.files.push({ ...file, name: twinName, duplicateOf: name, twin: true });
    }
    return file;
  }

  private place(source: ProducerSource, name: string, content: Buffer): void {
    const temp = join(source.dir, `.${name}.uploading`);
    writeFileSync(temp, content);
    renameSync(temp, join(source.dir, name));
  }
}
