import { writeFileSync } from 'node:fs';

/** Writes an order export like the ERP's (windows-1252, `;`, CRLF) with `rows` valid orders. */
export function writeOrdersCsv(path: string, rows: number, prefix = 'ORD'): void {
  const lines = ['Order No;Customer;SKU;Qty;Price;Date;Status;Warehouse;Comment'];
  for (let i = 1; i <= rows; i++) {
    const day = String((i % 28) + 1).padStart(2, '0');
    lines.push(`${prefix}-${String(i).padStart(5, '0')};Müller & Söhne GmbH;SKU-${String(i).padStart(6, '0')};${(i % 9) + 1};${i < 1000 ? i : (i % 900) + 100}.234,5${i % 10};${day}.03.2026;${i % 2 === 0 ? 'O' : 'C'};WH1;Lieferung €`);
  }
  writeFileSync(path, Buffer.from(`${lines.join('\r\n')}\r\n`.replace(/€/g, '\u0080'), 'latin1'));
}
