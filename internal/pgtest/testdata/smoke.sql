create table smoke(id int primary key, name text);
insert into smoke values (1, 'one'), (2, 'two');
