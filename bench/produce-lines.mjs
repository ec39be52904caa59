// Prints N lines shaped like BuildKit plain output from one busy RUN step, as fast as the pipe takes them.
const n = Number(process.argv[2] ?? 100_000);
const out = [];
out.push('#1 [stem stem 1/2] FROM docker.io/library/ubuntu:24.04', '#1 CACHED', '#2 [stem stem 2/2] RUN make -j8');
for (let i = 0; i < n; i++)
	out.push(`#2 ${(i / 1000).toFixed(3)} \x1b[2Kcc -O2 -c src/unit_${i}.c -o build/unit_${i}.o\r`);
out.push('#2 DONE 12.3s', '');
process.stdout.write(out.join('\n'));
