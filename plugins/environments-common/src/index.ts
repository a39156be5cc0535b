/**
 * Types, annotations, permissions and health rules shared by the KLER
 * environments plugin's backend and frontend.
 *
 * @packageDocumentation
 */

export * from './annotations';
export * from './permissions';
export * from './types';
