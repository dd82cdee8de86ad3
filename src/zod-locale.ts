/**
 * zod's English messages for every schema certrelay builds. certrelay uses `zod/mini` (its schemas carry no
 * methods, so building the ~75 schemas of the provider definitions at import costs each cold start less than
 * classic zod), and `zod/mini` loads no locale: without this, every message certrelay does not write itself
 * ("Unrecognized key: …", "Too small: …", "Invalid input: expected number, …") would read "Invalid input".
 * Imported for its effect by each module that builds schemas, so whichever loads first sets it.
 */
import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";

z.config(en());
