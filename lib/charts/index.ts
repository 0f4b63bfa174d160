/** Charts for experiments: one description, drawn in the terminal, as SVG, or as an HTML page. */
export * from './types.ts';
export * from './scale.ts';
export * from './escape.ts';
export * from './terminal.ts';
export * from './svg.ts';
export * from './html.ts';
