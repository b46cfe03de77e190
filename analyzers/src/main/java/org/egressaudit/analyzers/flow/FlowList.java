package org.egressaudit.analyzers.flow;

/** Intrusive list of flows from least to most recently active; moving a flow allocates nothing. */
final class FlowList {
    private Flow oldest;
    private Flow newest;
    private int size;

    Flow oldest() {
        return oldest;
    }

    int size() {
        return size;
    }

    void addNewest(Flow f) {
        f.list = this;
        f.older = newest;
        f.newer = null;
        if (newest != null) {
            newest.newer = f;
        } else {
            oldest = f;
        }
        newest = f;
        size++;
    }

    void remove(Flow f) {
        if (f.older != null) {
            f.older.newer = f.newer;
        } else {
            oldest = f.newer;
        }
        if (f.newer != null) {
            f.newer.older = f.older;
        } else {
            newest = f.older;
        }
        f.older = null;
        f.newer = null;
        f.list = null;
        size--;
    }

    void moveToNewest(Flow f) {
        if (newest != f) {
            remove(f);
            addNewest(f);
        }
    }
}
