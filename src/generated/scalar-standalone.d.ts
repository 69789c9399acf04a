/** The module scripts/vendor-scalar.mjs writes from @scalar/api-reference (postinstall): Scalar's browser bundle as text. */
/** The version of @scalar/api-reference the bundle comes from. */
export declare const SCALAR_VERSION: string;
/** SHA-256 (hex) of the bundle text: names the served file, so a cached copy is never stale. */
export declare const SCALAR_SHA256: string;
/** dist/browser/standalone.js of the package (defines window.Scalar), without its source-map comment. */
export declare const SCALAR_STANDALONE_JS: string;
