// Greets someone, shouting their name through another function of the app.
export default async function greet(input, ctx) {
  const name = typeof input?.name === 'string' ? input.name : 'world';
  console.log(`greeting ${name}`);
  const shout = await ctx.call('upper', { text: name });
  return { message: `hello ${shout}` };
}
