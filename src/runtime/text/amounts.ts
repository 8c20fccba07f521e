/** A dollar amount as a reader sees it (a budget, its cap, what was spent): `$25.00`. */
export function usdAmount(usd: number): string {
  return `$${usd.toFixed(2)}`;
}

/**
 * A budget's dollars (a limit, what was spent or added): in cents, or to the 4 decimals a budget may
 * have where cents would hide them (`$0.0025`).
 */
export function budgetUsd(usd: number): string {
  const cents = usd.toFixed(2);
  return Math.abs(Number(cents) - usd) < 1e-9 ? `$${cents}` : `$${Number(usd.toFixed(4))}`;
}

/**
 * A token count with its thousands separated (`200,000`): the one way every front door writes one,
 * in budgets, caps and what was spent.
 */
export function tokenCount(tokens: number): string {
  return tokens.toLocaleString('en-US');
}

/** A token count with its unit: `200,000 tokens`. */
export function tokensAmount(tokens: number): string {
  return `${tokenCount(tokens)} tokens`;
}
