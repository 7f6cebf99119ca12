#!/usr/bin/env node
// The `ferry` launcher: checks for Node 24+ (TypeScript runs by type stripping), then hands
// argv to src/cli.ts. npm puts the project's Node 24 (node_modules/.bin) first on PATH.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `ferry needs Node.js 24 or newer (this is ${process.version}). Run it through npm (npm run ferry -- ARGS, or npx ferry where installed) ` +
      'so that the project\'s Node from node_modules/.bin is used.\n',
  );
  process.exit(1);
}
const { runCli } = await import('./cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
