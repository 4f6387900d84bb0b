// Importing or deleting keys and CAs changes every verdict: open messages ask again.
export const smimeRefresh = $state({ generation: 0 });

export function smimeChanged(): void {
  smimeRefresh.generation++;
}
