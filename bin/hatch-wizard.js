#!/usr/bin/env node
// Launcher: checks the Node version with syntax any Node can parse, before anything heavy is loaded.
var parts = process.versions.node.split('.').map(Number);
if (parts[0] < 20 || (parts[0] === 20 && parts[1] < 19)) {
	process.stderr.write(`hatch-wizard needs Node 20.19+; you have ${process.versions.node}\n`);
	process.exit(1);
}
// A reader that stops early (`presets list | head`) closes the pipe: that ends the output, it is no error.
process.stdout.on('error', error => {
	if (error && error.code === 'EPIPE') process.exit(0);
	throw error;
});
// Node 22+ can keep the compiled code of the modules between runs (in the temporary folder): a faster start.
var nodeModule = process.getBuiltinModule?.('module');
if (nodeModule?.enableCompileCache) nodeModule.enableCompileCache();
// NO_COLOR (no-color.org): the terminal UI's colour library reads FORCE_COLOR, so translate before loading it.
if (process.env.NO_COLOR && process.env.FORCE_COLOR === undefined) process.env.FORCE_COLOR = '0';
import('../dist/cli.js')
	.then(cli => cli.run(process.argv.slice(2)))
	.catch(error => {
		process.stderr.write(`hatch-wizard: ${error?.message ? error.message : String(error)}\n`);
		process.exit(1);
	});
