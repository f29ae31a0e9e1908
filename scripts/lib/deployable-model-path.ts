/**
 * Whether a file under models/ goes into a build. Benchmark fixtures (models/bench/, over a gigabyte) and dotfiles
 * never do; the generated test rewriters (models/test/) only into a test build (`vite build --mode test`).
 * `relative` is the path below models/, `/`-separated.
 */
export function isDeployableModelPath(relative: string, mode: string): boolean {
  if (mode === 'production' && (relative === 'test' || relative.startsWith('test/'))) return false;
  return !relative.startsWith('bench') && !/(^|\/)\.[^/]+$/.test(relative);
}
