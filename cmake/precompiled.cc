// The one source of orgtwin_pch, the target that owns the precompiled header (precompiled.h).
