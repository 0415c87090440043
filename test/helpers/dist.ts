/**
 * @module Run by ava before each test file (package.json, "ava.require"): tests that start edgecourier start what users
 * run, the compiled dist/, and that must be compiled from the sources under test. It takes a moment when it is.
 */
import { ensureDist } from '../../build/dist.ts';

export default ensureDist;
