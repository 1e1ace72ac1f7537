// Minimal typings for the parts of sm-crypto localrds uses (SM3 hash and HMAC-SM3).
declare module 'sm-crypto' {
  const smCrypto: { sm3(input: string | number[], options?: { key: string; mode: 'hmac' }): string };
  export default smCrypto;
}

// The SM3 module by itself (what the package's index exports as sm3), without the SM2 code the index also loads.
declare module 'sm-crypto/src/sm3/index.js' {
  const sm3: (input: string | number[], options?: { key: string; mode: 'hmac' }) => string;
  export default sm3;
}
