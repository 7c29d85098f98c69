/**
 * Where messages go, as messages, result files and `ferry preview` say it. Single quotes: a
 * double quote would come out doubled in every CSV result line.
 */
export function describeRoute(exchange: string, routingKey: string): string {
  return `${exchange === '' ? 'the default exchange' : `exchange '${exchange}'`} with routing key '${routingKey}'`;
}
