/** Every `fusion ...` command line and every TypeScript block of README.md, as written there. */
export function readmeExamples(readme: string): { commands: string[]; snippets: string[] } {
  const commands: string[] = [];
  const snippets: string[] = [];
  const blocks = readme.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm);
  for (const [, lang, body] of blocks) {
    if (lang === 'ts' || lang === 'typescript') {
      snippets.push(body as string);
      continue;
    }
    for (const line of (body as string).split('\n')) {
      const t = line.trim();
      if (/^(npx )?fusion\s/.test(t)) commands.push(t.replace(/^npx /, ''));
    }
  }
  return { commands, snippets };
}
