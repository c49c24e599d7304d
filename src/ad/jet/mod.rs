//! jets (WIP)
