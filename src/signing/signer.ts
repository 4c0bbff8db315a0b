// The seam between the packet pipeline and whatever holds the province's key: a key file
// (file-key/) or a PKCS#11 token (pkcs11/). Callers never see the key itself.

export interface PacketSigner {
  /** A label for logs and health output; never contains key material. */
  readonly name: string;
  /**
   * Signs a packet document (enveloped XMLDSig, see ./enveloped-writer.ts) and returns the signed
   * document. The input must be exclusive-canonical XML, as packet/build.ts writes it.
   */
  sign(xml: string): Promise<string>;
  /** The certificate the signatures verify against, PEM. */
  certificatePem(): string;
  /**
   * Re-reads the key and certificate (rotation) and swaps them in at once, so that a signature in
   * progress finishes with the old pair and the next one uses the new. If reading fails the old
   * pair stays in use and the error is thrown; its message names files, never their content.
   */
  reload(): Promise<void>;
  /** Releases what the signer holds open (a token session). */
  close?(): Promise<void>;
}

/** What a signer shows of its certificate (admin reload answer, logs). */
export interface CertificateSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  sha256: string;
}
