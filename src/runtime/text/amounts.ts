/** A dollar amount as a reader sees it (a budget, its cap, what was spent): `$25.00`. */
export function usdAmount(usd: number): string {
  return `$${usd.toFixed(2)}`;
}

/** A token count with its thousands separated: `200,000 tokens`. */
export function tokensAmount(tokens: number): string {
  return `${tokens.toLocaleString('en-US')} tokens`;
}
