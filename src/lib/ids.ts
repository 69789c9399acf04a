/** Time-sortable identifiers (UUIDv7) for everything a client pages through. */
import { uuidv7 } from 'uuidv7';

export const newId = (): string => uuidv7();
