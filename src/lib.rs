pub mod fix;
