// Minimal typings for the parts of sm-crypto localrds uses (SM3 hash and HMAC-SM3).
declare module 'sm-crypto' {
  const smCrypto: { sm3(input: string | number[], options?: { key: string; mode: 'hmac' }): string };
  export default smCrypto;
}
