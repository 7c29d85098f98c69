/** Where messages go, as messages and `ferry preview` say it. */
export function describeRoute(exchange: string, routingKey: string): string {
  return `${exchange === '' ? 'the default exchange' : `exchange "${exchange}"`} with routing key "${routingKey}"`;
}
