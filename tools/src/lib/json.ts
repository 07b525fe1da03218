// JSON values as they come out of JSON.parse and go into JSON.stringify.
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
