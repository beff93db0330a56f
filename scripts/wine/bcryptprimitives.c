/*
 * A stand-in for Windows' bcryptprimitives.dll, for running Bun's Windows executables under Wine 8.0 in CI
 * (scripts/smoke-windows.ts). Every Bun 1.4 Windows program imports ProcessPrng from that DLL, which Windows 10+
 * has and Wine 8.0 lacks; this one exports ProcessPrng and fills the buffer from BCryptGenRandom, as the same
 * stand-ins of other projects do (rust-lang/rust#121337, mozilla/glean#2823). Never shipped: it goes into the
 * Wine prefix's system32 only.
 *
 *   x86_64-w64-mingw32-gcc -O2 -shared -o bcryptprimitives.dll bcryptprimitives.c bcryptprimitives.def -lbcrypt
 */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size) {
  while (size > 0) {
    ULONG chunk = size > 0x40000000 ? 0x40000000 : (ULONG)size;
    if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) return FALSE;
    data += chunk;
    size -= chunk;
  }
  return TRUE;
}
