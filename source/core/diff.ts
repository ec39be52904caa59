// A small unified diff (LCS over lines) for showing what a write would change. Pure.

type Op = {kind: ' ' | '-' | '+'; line: string};

function lines(text: string): string[] {
	if (text === '') return [];
	const out = text.split('\n');
	if (out[out.length - 1] === '') out.pop();
	return out;
}

function diffOps(a: string[], b: string[]): Op[] {
	// Trim the common head and tail so the LCS table stays small for typical edits.
	let start = 0;
	while (start < a.length && start < b.length && a[start] === b[start]) start++;
	let endA = a.length;
	let endB = b.length;
	while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
		endA--;
		endB--;
	}
	const midA = a.slice(start, endA);
	const midB = b.slice(start, endB);
	const n = midA.length;
	const m = midB.length;
	const table: Uint32Array[] = Array.from({length: n + 1}, () => new Uint32Array(m + 1));
	for (let i = n - 1; i >= 0; i--) {
		for (let j = m - 1; j >= 0; j--) {
			table[i]![j] = midA[i] === midB[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
		}
	}
	const ops: Op[] = a.slice(0, start).map(line => ({kind: ' ', line}));
	let i = 0;
	let j = 0;
	while (i < n || j < m) {
		if (i < n && j < m && midA[i] === midB[j]) {
			ops.push({kind: ' ', line: midA[i]!});
			i++;
			j++;
		} else if (i < n && (j >= m || table[i + 1]![j]! >= table[i]![j + 1]!)) {
			ops.push({kind: '-', line: midA[i++]!});
		} else {
			ops.push({kind: '+', line: midB[j++]!});
		}
	}
	for (const line of a.slice(endA)) ops.push({kind: ' ', line});
	return ops;
}

/** Unified diff of two texts with `context` lines around each change; '' when they are equal. */
export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string, context = 3): string {
	if (oldText === newText) return '';
	const ops = diffOps(lines(oldText), lines(newText));
	const out = [`--- ${oldName}`, `+++ ${newName}`];
	let k = 0;
	while (k < ops.length) {
		if (ops[k]!.kind === ' ') {
			k++;
			continue;
		}
		// Start of a hunk: back up `context` lines, then extend while changes are within 2*context.
		let from = Math.max(0, k - context);
		let to = k;
		let lastChange = k;
		while (to < ops.length && to - lastChange <= 2 * context) {
			if (ops[to]!.kind !== ' ') lastChange = to;
			to++;
		}
		to = Math.min(ops.length, lastChange + context + 1);
		let oldLine = 1;
		let newLine = 1;
		for (let x = 0; x < from; x++) {
			if (ops[x]!.kind !== '+') oldLine++;
			if (ops[x]!.kind !== '-') newLine++;
		}
		const hunk = ops.slice(from, to);
		const oldCount = hunk.filter(o => o.kind !== '+').length;
		const newCount = hunk.filter(o => o.kind !== '-').length;
		out.push(`@@ -${oldCount ? oldLine : oldLine - 1},${oldCount} +${newCount ? newLine : newLine - 1},${newCount} @@`);
		for (const o of hunk) out.push(`${o.kind}${o.line}`);
		k = to;
		from = to;
	}
	return out.join('\n') + '\n';
}
