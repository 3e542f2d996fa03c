/**
 * Every model type at once: loading a model dir of any type ({@link dev.setrec.models.ModelDirs}) and fitting any
 * type ({@link dev.setrec.models.Training}). It sits above {@code dev.setrec.model} and its sub-packages (and above
 * {@code dev.setrec.eval}, which validation uses), so that none of those depends on another in a cycle.
 */
package dev.setrec.models;
