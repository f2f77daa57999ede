/** A command/reply channel to a Megatec UPS; the serial and HID transports each implement it. */
export interface MegatecLink {
  /**
   * Sends `command` (CR added by the link) and resolves with the reply line without its CR.
   * Rejects with UpsError TIMEOUT when no CR arrives in `timeoutMs`, CONNECTION_CLOSED when the
   * port/device goes away. One call at a time: the source never overlaps queries.
   */
  query(command: string, timeoutMs: number): Promise<string>;
  close(): Promise<void>;
  /** Called once when the port or device disappears (pty closed, USB re-enumerated). */
  onClose(fn: (reason: Error) => void): void;
}

export type OpenMegatecLink = () => Promise<MegatecLink>;
