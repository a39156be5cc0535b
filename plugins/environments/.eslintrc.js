// The plugin's components use MUI 5 (@mui/material) with Backstage's unified
// theme; MUI 4 (@material-ui/*) stays out of its source.
const MUI4_MESSAGE =
  'Use @mui/material and @mui/icons-material (MUI 5); the environments plugin does not use MUI 4.';

module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  restrictedImports: ['core', 'icons', 'lab', 'styles', 'pickers'].map(
    name => ({ name: `@material-ui/${name}`, message: MUI4_MESSAGE }),
  ),
  restrictedImportPatterns: ['@material-ui/*'],
});
