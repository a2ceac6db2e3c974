/** Options of `nx g @dailysync/nx-plugin:init`; mirrors schema.json. */
export interface InitGeneratorSchema {
  syncTargetName?: string;
  planTargetName?: string;
  verifyTargetName?: string;
  diagnoseTargetName?: string;
  /** Passed by `nx add`; this plugin installs nothing, so it has no effect. */
  keepExistingVersions?: boolean;
}
