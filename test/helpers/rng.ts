// A seeded random number generator (a linear congruential one): the same values on every run and machine,
// so a test that samples inputs is repeatable and a failure names a value that fails again.
export function rng(seed: number): () => number {
	return () => {
		seed = (seed * 1103515245 + 12345) % 2147483648;
		return seed / 2147483648;
	};
}
