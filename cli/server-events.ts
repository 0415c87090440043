/** @module Server-Sent Events read from a response body as they arrive: each event's id, name and data, as EventSource would hand them over. */

export interface ServerEvent {
  id?: string;
  event: string;
  data: string;
}

/**
 * The events of a text/event-stream body, until it ends. Comments (keep-alives) and `retry` are passed over.
 * @example for await (const event of serverEvents(await client.stream(path))) if (event.event === 'activation') show(JSON.parse(event.data))
 */
export async function* serverEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerEvent> {
  const decoder = new TextDecoder();
  let buffered = '';
  let event: { id?: string; event?: string; data: string[] } = { data: [] };
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    const lines = buffered.split('\n');
    // The last piece may be a line still arriving.
    buffered = lines.pop()!;
    for (const line of lines.map((text) => text.replace(/\r$/, ''))) {
      if (line === '') {
        if (event.data.length > 0) yield { ...(event.id !== undefined && { id: event.id }), event: event.event ?? 'message', data: event.data.join('\n') };
        event = { data: [] };
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') event.data.push(value);
      else if (field === 'event') event.event = value;
      else if (field === 'id') event.id = value;
    }
  }
}
