/** Progress lines for long loops: about every fifth of the way, and at the end. */
export function progress(
  log: (line: string) => void,
  label: string,
  total: number,
): (done: number) => void {
  const every = Math.max(1, Math.ceil(total / 5));
  let next = every;
  return (done) => {
    if (done < next && done < total) return;
    log(`${label} ${done}/${total}`);
    while (next <= done) next += every;
  };
}
