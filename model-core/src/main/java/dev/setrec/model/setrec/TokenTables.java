package dev.setrec.model.setrec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;

/** Item token tables: CF tokens (N, d) and semantic tokens flattened (N, n_sem * d); sem is null for n_sem 0. */
record TokenTables(NDArray cf, NDArray sem) {
    /** One row per item, the CF token then the semantic tokens: (N, S * d), token kind k at columns k*d.. */
    NDArray joined() {
        return sem == null ? cf : NDArrays.concat(new NDList(cf, sem), 1);
    }

    /** The joined rows of the given items: (ids, S * d). */
    NDArray lookup(NDArray ids) {
        return rows(ids).joined();
    }

    /** The tables of the given items only. */
    TokenTables rows(NDArray ids) {
        return select(ids, ids);
    }

    /** Tables whose row r is row {@code cfIds[r]} of the CF tokens and row {@code semIds[r]} of the semantic ones. */
    TokenTables select(NDArray cfIds, NDArray semIds) {
        return new TokenTables(selectRows(cf, cfIds), sem == null ? null : selectRows(sem, semIds));
    }

    /** These rows followed by {@code more}'s (in the manager of these tables). */
    TokenTables append(TokenTables more) {
        return new TokenTables(NDArrays.concat(new NDList(cf, more.cf)),
                sem == null ? null : NDArrays.concat(new NDList(sem, more.sem)));
    }

    void attach(NDManager manager) {
        cf.attach(manager);
        if (sem != null) {
            sem.attach(manager);
        }
    }

    void tempAttach(NDManager manager) {
        cf.tempAttach(manager);
        if (sem != null) {
            sem.tempAttach(manager);
        }
    }

    void close() {
        cf.close();
        if (sem != null) {
            sem.close();
        }
    }

    /** The rows {@code ids} of a table (N, w): (ids, w). */
    static NDArray selectRows(NDArray table, NDArray ids) {
        return Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }
}
