/**
 * @fork-stack/provider-kit/testing: the contract every provider passes, built-in or published — the same
 * two suites fork-stack runs against its own providers (packages/fork-stack/test/helpers), bundled here.
 * They register vitest tests (a peer dependency); the ownership suite drives the installed fork-stack's
 * engine (delete, gc, create --resume/--reuse, reset), so fork-stack is a peer dependency too.
 */
export { providerContract, type ContractSetup } from '../../fork-stack/test/helpers/provider-contract.js';
export { ownershipContract, type ForeignSetup, type ForeignVariant, type OwnershipContractSetup } from '../../fork-stack/test/helpers/ownership-contract.js';
