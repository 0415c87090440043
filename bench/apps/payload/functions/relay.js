// Sends a string of input.bytes characters to echo through ctx.call and checks that it comes back whole.
export default async function relay(input, ctx) {
  const text = 'x'.repeat(input.bytes);
  const back = await ctx.call('echo', { text });
  if (back?.text !== text) throw new Error(`echo answered ${String(back?.text?.length)} of ${text.length} characters`);
  return text.length;
}
