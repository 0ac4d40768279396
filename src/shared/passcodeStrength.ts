/**
 * What makes a room passcode hold. The host limits guessing over the network (see
 * PasscodeGate), but a first-contact impostor (someone answering for the room before a member
 * ever joined it) receives that member's proof and can test guesses offline at scrypt's speed,
 * about 20 a second per core, as long as it likes. So a passcode must be too large a space to
 * search: a generated one of 12 random characters (~59 bits) takes ~10^8 core-years; four
 * digits take under a second. Runtime-agnostic: the window and the CLI both use it.
 */

/** Characters of generated passcodes: lowercase and digits without look-alikes (no 0/o, 1/l/i). */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const GROUPS = 3;
const GROUP_LENGTH = 4;

/** Typed passcodes shorter than this (in code points) are called weak. */
export const STRONG_PASSCODE_CHARS = 10;

/**
 * A fresh random passcode such as `k7mq-x29f-prtw`: 12 characters from 31 (~59 bits), in
 * groups that are easy to read aloud and type.
 */
export function generatePasscode(
  randomByte: () => number = () => crypto.getRandomValues(new Uint8Array(1))[0]!,
): string {
  const groups: string[] = [];
  for (let g = 0; g < GROUPS; g++) {
    let group = '';
    while (group.length < GROUP_LENGTH) {
      const byte = randomByte();
      // Rejection sampling: 248 = 8 * 31, so every character is equally likely.
      if (byte < 248) group += ALPHABET[byte % ALPHABET.length];
    }
    groups.push(group);
  }
  return groups.join('-');
}

/** Whether a passcode is too short to survive offline guessing (see the file comment). */
export function passcodeIsWeak(passcode: string): boolean {
  return [...passcode.normalize('NFC')].length < STRONG_PASSCODE_CHARS;
}
