/**
 * What a run says about the data it read, for provenance: the data layer describes its data sets with it, and the
 * harness records it in every snapshot (and attestation compares it), so it lives here, below both.
 */
export interface DatasetInfo {
  /** Short stable id, e.g. `fashion-mnist-fixture`, `octmnist`, `synthetic-brown-espeak`. */
  id: string;
  description: string;
  /** Content hash (sha256 hex) of exactly the data the run read. */
  hash: string;
}
