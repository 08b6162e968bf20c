// @nestjs/swagger's compiler plugin as a ts-jest AST transformer, with the build's options
// (scripts/openapi-plugin.json), so that the app under test serves the OpenAPI document the build does.
const { before } = require('@nestjs/swagger/plugin');
const options = require('./openapi-plugin.json');

module.exports = {
  name: 'chancery-openapi-plugin',
  version: 1,
  factory: (compiler) => before(options, compiler.program),
};
