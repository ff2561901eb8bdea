// The vendored-dependency core: parse, edit, lint and resolve vendor.conf, vendor.mod and go.mod.
export * from './lines';
export * from './problems';
export * from './vendorConf';
export * from './goMod';
export * from './semver';
export * from './lint';
export * from './gitRemote';
export * from './upstream';
export * from './repository';
