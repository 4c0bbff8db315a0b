// The seam between the packet pipeline and whatever holds the province's key: a key file
// today, a PKCS#11 token (HSM / USB token) later. Callers never see the key itself.

export interface PacketSigner {
  /** A label for logs and health output; never contains key material. */
  readonly name: string;
  /** Signs a packet document (enveloped XMLDSig, see ./xmldsig.ts) and returns the signed document. */
  sign(xml: string): string;
  /** The certificate the signatures verify against, PEM. */
  certificatePem(): string;
  /** Re-reads the key and certificate (rotation). If that fails the old pair stays in use and the error is thrown. */
  reload(): Promise<void>;
}
