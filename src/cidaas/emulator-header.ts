/** The header the cidaas-sync emulator puts on every answer (kept here so the client does not load the emulator). */
export const EMULATOR_HEADER = 'x-cidaas-sync-emulator';
