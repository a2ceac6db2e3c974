// Prints the node process's own CPU (user + system, ms) to stderr at exit, without its children:
//   node --import ./bench/node-cpu-at-exit.mjs apps/backup/dist/bin/dailysync.cjs sync ...
process.on('exit', () => {
  const c = process.cpuUsage();
  process.stderr.write(`NODECPU ${((c.user + c.system) / 1000).toFixed(0)}\n`);
});
