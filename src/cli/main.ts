export async function main(a: string[]): Promise<number> { console.log("hello", a); return 0; }
